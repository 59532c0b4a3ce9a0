package dev.virft.inference;

import dev.virft.data.Prompts;
import dev.virft.eval.ClassificationValList;
import dev.virft.util.AtomicFiles;
import dev.virft.util.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The classification evaluation's questions (spec §3.3): one per validation image,
 * {@code "<image>\n"} + the dataset's sentence + the original's common suffix. Responses are keyed by
 * the image as the val list names it; a relative path is read from the val list's folder.
 */
public final class ClassificationQueries {
  private ClassificationQueries() {}

  /** @param prefix put before each question: {@link Prompts#EVAL_IMAGE_PREFIX} as the original, or "" */
  public static List<ModelQuery> plan(List<ClassificationValList.Item> items, Path valList, String sentence,
      String prefix) {
    String text = prefix + Prompts.classification(sentence);
    Path base = valList.toAbsolutePath().getParent();
    Set<String> seen = new LinkedHashSet<>();
    List<ModelQuery> out = new ArrayList<>();
    for (ClassificationValList.Item it : items) {
      if (!seen.add(it.image())) {
        continue; // an image listed twice is asked once; both entries are scored with its answer
      }
      Path file = base.resolve(it.image());
      out.add(new ModelQuery(it.image(), file, null, text, Map.of("image", it.image())));
    }
    return out;
  }

  /** Writes {@code {"image", "response"}} lines, the input of {@code virft eval classification --responses}. */
  public static void writeResponses(List<ModelQuery> queries, Map<String, String> answers, Path file) {
    StringBuilder sb = new StringBuilder();
    for (ModelQuery q : queries) {
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("image", q.key());
      line.put("response", answers.get(q.key()));
      sb.append(Json.line(line)).append('\n');
    }
    AtomicFiles.writeString(file, sb.toString());
  }
}
