package org.cardstack.pcsc.smartcardio;

import java.security.Provider;
import java.util.Objects;
import java.util.function.Supplier;
import org.cardstack.pcsc.manager.ResourceManager;

/**
 * The cardstack javax.smartcardio provider. Use it without registering:
 * <pre>
 * TerminalFactory f = TerminalFactory.getInstance("CardStack", null, new CardStackProvider(manager));
 * </pre>
 * or register it ({@code Security.addProvider}) and ask for type "CardStack". The factory's
 * parameter may be a {@link ResourceManager} or a {@code Supplier<ResourceManager>}; with null it
 * uses the provider's manager ({@link ResourceManager#system()} for the no-argument constructor).
 * A supplier is asked again whenever its manager has been closed, so a restarted service is found.
 */
public final class CardStackProvider extends Provider {
    private static final long serialVersionUID = 1L;
    public static final String NAME = "CardStack";
    /** The TerminalFactory type. */
    public static final String TYPE = "CardStack";

    private final transient Supplier<ResourceManager> managers;

    public CardStackProvider() {
        this(ResourceManager::system);
    }

    public CardStackProvider(ResourceManager manager) {
        this(supplierOf(manager));
    }

    public CardStackProvider(Supplier<ResourceManager> managers) {
        super(NAME, "0.1", "cardstack PC/SC (javax.smartcardio TerminalFactory type " + TYPE + ")");
        this.managers = Objects.requireNonNull(managers);
        putService(new FactoryService(this));
    }

    private static Supplier<ResourceManager> supplierOf(ResourceManager manager) {
        Objects.requireNonNull(manager, "manager");
        return () -> manager;
    }

    Supplier<ResourceManager> managers() { return managers; }

    private static final class FactoryService extends Service {
        private final CardStackProvider provider;

        FactoryService(CardStackProvider provider) {
            super(provider, "TerminalFactory", TYPE, CardStackTerminalFactorySpi.class.getName(), null, null);
            this.provider = provider;
        }

        @Override
        @SuppressWarnings("unchecked")
        public Object newInstance(Object parameter) {
            Supplier<ResourceManager> s;
            if (parameter == null) {
                s = provider.managers;
            } else if (parameter instanceof ResourceManager m) {
                s = () -> m;
            } else if (parameter instanceof Supplier<?> sup) {
                s = (Supplier<ResourceManager>) sup;
            } else {
                throw new IllegalArgumentException("CardStack TerminalFactory parameter must be a ResourceManager or a"
                        + " Supplier<ResourceManager>, not " + parameter.getClass().getName());
            }
            return new CardStackTerminalFactorySpi(s);
        }
    }
}
