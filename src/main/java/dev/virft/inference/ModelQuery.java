package dev.virft.inference;

import java.nio.file.Path;
import java.util.Map;

/**
 * One question to the model about one image.
 *
 * @param key unique within an evaluation; what the answers log is keyed by, so a rerun can skip it
 * @param image the image file
 * @param system the system message, or null for none (the chat template then adds its default)
 * @param text the user text, sent after the image
 * @param fields extra values written beside the answer in the answers log (image id, category...)
 */
public record ModelQuery(String key, Path image, String system, String text, Map<String, Object> fields) {
  public ModelQuery {
    fields = fields == null ? Map.of() : Map.copyOf(fields);
  }
}
