package dev.virft.eval;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.util.Json;
import java.nio.file.Files;
import java.nio.file.Path;

/** Locates the COCO/LVIS reference fixtures in shared/ (too big for src/test/resources). */
final class SharedFixtures {
  private SharedFixtures() {}

  /** The fixture folder, or a skipped test (with the reason) when shared/ is not beside the clone. */
  static Path cocoFixture(String name) {
    String shared = System.getProperty("virft.shared");
    assumeTrue(shared != null, "system property virft.shared not set; COCO fixtures skipped");
    Path dir = Path.of(shared, "fixtures", "coco", name);
    assumeTrue(Files.isRegularFile(dir.resolve("expected.json")),
        dir + " absent; COCO/LVIS fixture test skipped");
    return dir;
  }

  static JsonNode expected(Path dir) {
    return Json.read(dir.resolve("expected.json"));
  }
}
