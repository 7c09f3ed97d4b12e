package org.cardstack.pcsc.smartcardio;

import java.util.function.Supplier;
import javax.smartcardio.CardTerminals;
import javax.smartcardio.TerminalFactorySpi;
import org.cardstack.pcsc.manager.ResourceManager;

/** The TerminalFactorySpi of type "CardStack": each {@link #engineTerminals()} is a fresh {@link CardStackTerminals}. */
public final class CardStackTerminalFactorySpi extends TerminalFactorySpi {
    private final Supplier<ResourceManager> managers;

    public CardStackTerminalFactorySpi(Supplier<ResourceManager> managers) {
        this.managers = managers;
    }

    /** For reflective construction by a plain Provider registration: uses {@link ResourceManager#system()}. */
    public CardStackTerminalFactorySpi(Object parameter) {
        this(parameter instanceof ResourceManager m ? () -> m : ResourceManager::system);
    }

    @Override
    protected CardTerminals engineTerminals() {
        return new CardStackTerminals(managers);
    }
}
