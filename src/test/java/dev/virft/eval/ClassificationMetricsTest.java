package dev.virft.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassificationMetricsTest {
  @Test
  void bidirectionalSubstringAfterNormalizing() {
    assertTrue(ClassificationMetrics.lenientCorrect("<think>x</think><answer>Pink Primrose</answer>", "pink primrose"));
    assertTrue(ClassificationMetrics.lenientCorrect("<answer>american bulldog</answer>", "american_bulldog"));
    // "Acura" is inside "2012acurarlsedan": lenient yes, strict no.
    String acura = "<answer>Acura</answer>";
    assertTrue(ClassificationMetrics.lenientCorrect(acura, "2012 Acura RL Sedan"));
    assertFalse(ClassificationMetrics.strictCorrect(acura, "2012 Acura RL Sedan"));
    // The class inside a longer answer also counts.
    assertTrue(ClassificationMetrics.lenientCorrect("<answer>a 707-320 airliner</answer>", "707-320"));
    assertFalse(ClassificationMetrics.lenientCorrect("<answer>tulip</answer>", "pink primrose"));
  }

  @Test
  void emptyAnswerIsCorrectUnderTheOriginalRuleOnly() {
    assertTrue(ClassificationMetrics.lenientCorrect("<answer></answer>", "rose"));
    assertFalse(ClassificationMetrics.strictCorrect("<answer></answer>", "rose"));
  }

  @Test
  void noAnswerTagsOrAnswerAcrossALineIsWrong() {
    assertNull(ClassificationMetrics.answer("rose"));
    assertFalse(ClassificationMetrics.lenientCorrect("rose", "rose"));
    // No DOTALL: the answer may not contain '\n' ...
    assertFalse(ClassificationMetrics.lenientCorrect("<answer>ro\nse</answer>", "rose"));
    // ... but, as in Python, '\r' is an ordinary character.
    assertEquals("a\rb", ClassificationMetrics.answer("<answer>a\rb</answer>"));
  }

  @Test
  void strictIgnoresCaseSpacesUnderscoresOnly() {
    assertTrue(ClassificationMetrics.strictCorrect("<answer> American_Bulldog </answer>", "american bulldog"));
    assertFalse(ClassificationMetrics.strictCorrect("<answer>american bulldogs</answer>", "american bulldog"));
  }

  @Test
  void accuracyOverTheWholeList(@TempDir Path dir) throws Exception {
    Path names = dir.resolve("pets.txt");
    Files.writeString(names, "abyssinian\namerican_bulldog\nbeagle"); // no trailing newline
    Path list = dir.resolve("val.tsv");
    Files.writeString(list, "/a/1.jpg\t0\n/a/2.jpg\t1\n/a/3.jpg\t2\n/a/4.jpg\t2\n");
    List<String> classes = ClassificationValList.readClassNames(names);
    List<ClassificationValList.Item> items = ClassificationValList.read(list, classes, "/a/", "/b/");
    assertEquals("/b/2.jpg", items.get(1).image());
    assertEquals("american_bulldog", items.get(1).className());
    Map<String, String> responses = Map.of(
        "/b/1.jpg", "<answer>Abyssinian</answer>", // right, strict right
        "/b/2.jpg", "<answer>bulldog</answer>", // right (substring), strict wrong
        "/b/3.jpg", "beagle"); // no tags: wrong; 4.jpg missing: wrong
    ClassificationScore s = ClassificationScore.score(items, responses);
    assertEquals(4, s.total());
    assertEquals(0.5, s.accuracy());
    assertEquals(0.25, s.strictAccuracy());
    assertEquals(1, s.noAnswer());
    assertEquals(1, s.missing());
  }

  @Test
  void valListJsonShapes(@TempDir Path dir) throws Exception {
    List<String> classes = List.of("a", "b");
    Path pth = dir.resolve("val.json");
    Files.writeString(pth, "[{\"/x/1.jpg\": {\"label\": 1}}, {\"image\": \"/x/2.jpg\", \"label\": 0}]");
    List<ClassificationValList.Item> items = ClassificationValList.read(pth, classes, null, null);
    assertEquals("b", items.get(0).className());
    assertEquals("/x/2.jpg", items.get(1).image());
    Path jsonl = dir.resolve("val.jsonl");
    Files.writeString(jsonl, "{\"image\": \"/x/1.jpg\", \"label\": 2}\n");
    VirftException e = assertThrows(VirftException.class, () -> ClassificationValList.read(jsonl, classes, null, null));
    assertTrue(e.getMessage().contains("val.jsonl: line 1") && e.getMessage().contains("label 2"), e.getMessage());
    Path pickle = dir.resolve("val.pth");
    Files.writeString(pickle, "x");
    assertThrows(VirftException.class, () -> ClassificationValList.read(pickle, classes, null, null));
  }
}
