package dev.granitej.config;

/** A {@code config.json} is malformed or describes an inconsistent model; the message names the field. */
public class ConfigException extends RuntimeException {

    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
