package dev.virft.eval;

import dev.virft.util.VirftException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Model responses for classification: JSONL or JSON array of {"image": PATH, "response": TEXT}. */
public final class ClassificationResponses {
  private ClassificationResponses() {}

  public static Map<String, String> read(Path file) {
    Map<String, String> out = new LinkedHashMap<>();
    for (JsonRecords.Record r : JsonRecords.read(file)) {
      String image = r.text("image");
      if (out.put(image, r.text("response")) != null) {
        throw new VirftException(r.where() + ": image '" + image + "' has a second response");
      }
    }
    return out;
  }
}
