package org.cardstack.sim;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javacard.framework.Applet;

/**
 * Where user applets come from: jars and class directories, loaded by a {@link URLClassLoader} whose
 * parent is the loader of cardstack's simulator. Delegation is parent-first, so {@code javacard.*},
 * {@code javacardx.*} and jCardSim always come from the jCardSim cardstack ships (a jar that bundles its
 * own copy of the Java Card API is fine: that copy is never used). One loader per distinct class path,
 * shared by every card built from it, so an applet class is loaded once.
 */
public final class AppletClasspath {
    private static final Map<List<Path>, ClassLoader> LOADERS = new ConcurrentHashMap<>();

    private AppletClasspath() {}

    /**
     * Parses a class path: entries separated by the platform's path separator (':' on Linux), each an
     * existing jar (or zip) or directory.
     *
     * @throws IllegalArgumentException naming the entry that does not exist or is neither
     */
    public static List<Path> parse(String value) {
        List<Path> paths = new ArrayList<>();
        for (String entry : value.split(File.pathSeparator, -1)) {
            if (entry.isBlank()) {
                throw new IllegalArgumentException("empty entry in class path '" + value + "'");
            }
            paths.add(check(Path.of(entry.trim())));
        }
        return List.copyOf(paths);
    }

    /** Checks one entry: an existing, readable directory or jar/zip file. Returns its absolute, normalised path. */
    public static Path check(Path p) {
        Path a = p.toAbsolutePath().normalize();
        if (!Files.exists(a)) {
            throw new IllegalArgumentException("class path entry " + p + " does not exist");
        }
        if (!Files.isReadable(a)) {
            throw new IllegalArgumentException("class path entry " + p + " is not readable");
        }
        if (Files.isRegularFile(a)) {
            String n = a.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
            if (!n.endsWith(".jar") && !n.endsWith(".zip")) {
                throw new IllegalArgumentException("class path entry " + p + " is a file but not a .jar or .zip"
                        + " (give jars, or directories holding package folders of .class files)");
            }
        } else if (!Files.isDirectory(a)) {
            throw new IllegalArgumentException("class path entry " + p + " is neither a jar nor a directory");
        }
        return a;
    }

    /** The loader for this class path (the simulator's own loader for an empty one). */
    public static ClassLoader loader(List<Path> classpath) {
        ClassLoader parent = AppletClasspath.class.getClassLoader();
        if (classpath.isEmpty()) {
            return parent;
        }
        return LOADERS.computeIfAbsent(List.copyOf(classpath), cp -> {
            URL[] urls = new URL[cp.size()];
            for (int i = 0; i < urls.length; i++) {
                try {
                    urls[i] = cp.get(i).toUri().toURL();
                } catch (MalformedURLException e) {
                    throw new UncheckedIOException(new IOException("class path entry " + cp.get(i) + ": " + e.getMessage(), e));
                }
            }
            return new URLClassLoader("cardstack-applets", urls, parent);
        });
    }

    /**
     * Loads an applet class (without initialising it) from the class path, else from cardstack's own.
     *
     * @throws IllegalArgumentException saying what is wrong: not found (and where it was looked for), not
     *                                  an applet, or failing to link (e.g. a class it needs is missing)
     */
    public static Class<? extends Applet> load(String name, List<Path> classpath) {
        Class<?> c;
        try {
            c = Class.forName(name, false, loader(classpath));
        } catch (ClassNotFoundException e) {
            c = fromContext(name);
            if (c == null) {
                throw new IllegalArgumentException("applet class " + name + " not found"
                        + (classpath.isEmpty() ? " (no cp= given; cardstack's class path has only the presets test and hello)"
                        : " in " + describe(classpath)));
            }
        } catch (LinkageError e) {
            throw new IllegalArgumentException("applet class " + name + " does not load: " + e);
        }
        if (!Applet.class.isAssignableFrom(c)) {
            throw new IllegalArgumentException("class " + name + " is not a javacard.framework.Applet"
                    + (c.getClassLoader() != null && Applet.class.getClassLoader() != null
                    && !c.getClassLoader().equals(Applet.class.getClassLoader()) && extendsForeignApplet(c)
                    ? " (it extends a javacard.framework.Applet from another copy of the Java Card API)" : ""));
        }
        return c.asSubclass(Applet.class);
    }

    private static Class<?> fromContext(String name) {
        ClassLoader ctx = Thread.currentThread().getContextClassLoader();
        if (ctx == null) {
            return null;
        }
        try {
            return Class.forName(name, false, ctx);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    private static boolean extendsForeignApplet(Class<?> c) {
        for (Class<?> s = c.getSuperclass(); s != null; s = s.getSuperclass()) {
            if (s.getName().equals(Applet.class.getName())) {
                return true;
            }
        }
        return false;
    }

    /** The class path as the user would write it. */
    public static String describe(List<Path> classpath) {
        List<String> s = new ArrayList<>();
        classpath.forEach(p -> s.add(p.toString()));
        return String.join(File.pathSeparator, s);
    }
}
