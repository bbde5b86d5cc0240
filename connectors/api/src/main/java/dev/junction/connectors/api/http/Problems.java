package dev.junction.connectors.api.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Writes RFC 9457 problem details; one place so every HTTP error of Junction reads the same. */
public final class Problems {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** The base of every problem {@code type} URI Junction uses. */
    public static final String TYPE_BASE = "https://junction.dev/problems/";

    private Problems() {}

    /** The problem document as JSON bytes; {@code type} is a short slug appended to {@link #TYPE_BASE}. */
    public static byte[] json(int status, String type, String title, String detail) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("type", TYPE_BASE + type);
        node.put("title", title);
        node.put("status", status);
        node.put("detail", detail);
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
