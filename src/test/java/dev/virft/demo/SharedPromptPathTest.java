package dev.virft.demo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.virft.data.Sample;
import dev.virft.model.GenerationConfig;
import dev.virft.model.GenerationOutput;
import dev.virft.model.QwenVLModel;
import dev.virft.processor.ChatTemplate;
import dev.virft.processor.ImageProcessor;
import dev.virft.processor.PixelValues;
import dev.virft.processor.ProcessorOutput;
import dev.virft.processor.QwenTokenizer;
import dev.virft.processor.QwenVLProcessor;
import dev.virft.processor.StopTokens;
import dev.virft.rl.QwenPrompt;
import dev.virft.rl.QwenPromptEncoder;
import dev.virft.tensor.Device;
import dev.virft.tensor.Tensors;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo's evaluation and the GRPO prompt now go through the shared processor and {@code VisionChat};
 * this pins them to what the demo's own prompt code produced before (the rendered text with the image
 * pad repeated in the string, tokenized, left padded by hand, greedy generation with the tokenizer's
 * stop ids), on the shipped base: same ids, same answers, same stop ids.
 */
class SharedPromptPathTest {
  static final int MAX_NEW = 24;

  /** The demo's former prompt: the pad spliced into the rendered text, then tokenized. */
  static long[] splicedPrompt(QwenTokenizer tok, ChatTemplate template, String problem, int imageTokens) {
    String text = template.render(List.of(Map.of("role", "user", "content",
        List.of(Map.of("type", "image"), Map.of("type", "text", "text", problem)))), true);
    String pad = QwenTokenizer.IMAGE_PAD;
    int at = text.indexOf(pad);
    return tok.encode(text.substring(0, at) + pad.repeat(imageTokens) + text.substring(at + pad.length()));
  }

  static List<Sample> rows() {
    List<Sample> rows = new ArrayList<>(DemoData.test(DemoData.Kind.DETECTION, 1, 1));
    rows.addAll(DemoData.test(DemoData.Kind.CLASSIFICATION, 1, 1).subList(0, 2));
    return rows;
  }

  @Test
  void demoEvaluationAnswersAsItsOwnLoopDid(@TempDir Path dir) {
    assumeTrue(DemoBaseCheckpoint.shipped(), "needs the shipped base checkpoint");
    Path base = DemoBaseCheckpoint.extract(dir.resolve("base"));
    List<Sample> rows = rows();
    int batch = 4; // prompts of different lengths in one batch: left padding is exercised
    List<String> want = new ArrayList<>();
    try (QwenTokenizer tok = QwenTokenizer.fromCheckpoint(base);
        QwenVLModel model = QwenVLModel.load(base, Device.CPU)) {
      assertArrayEquals(tok.stopIds(), StopTokens.of(tok), "the demo's stop ids are unchanged");
      ChatTemplate template = ChatTemplate.fromCheckpoint(base);
      ImageProcessor images = ImageProcessor.fromCheckpoint(base);
      for (int start = 0; start < rows.size(); start += batch) {
        List<Sample> part = rows.subList(start, Math.min(rows.size(), start + batch));
        try (PointerScope scope = new PointerScope()) {
          List<BufferedImage> decoded = new ArrayList<>();
          for (Sample s : part) decoded.add(s.image().decode());
          PixelValues pv = images.process(decoded);
          List<long[]> prompts = new ArrayList<>();
          for (int i = 0; i < part.size(); i++) {
            prompts.add(splicedPrompt(tok, template, part.get(i).problem(), pv.tokens(i)));
          }
          int len = prompts.stream().mapToInt(p -> p.length).max().orElse(0);
          long[][] ids = new long[part.size()][len];
          long[][] mask = new long[part.size()][len];
          for (int i = 0; i < part.size(); i++) {
            long[] p = prompts.get(i);
            Arrays.fill(ids[i], tok.padId());
            System.arraycopy(p, 0, ids[i], len - p.length, p.length);
            Arrays.fill(mask[i], len - p.length, len, 1L);
          }
          // What DemoSft feeds its loss: the processor's batch, built as VisionChat builds it.
          List<List<Map<String, Object>>> chats = new ArrayList<>();
          for (Sample s : part) chats.add(List.of(QwenVLProcessor.userTurn(s.problem(), true)));
          ProcessorOutput in = new QwenVLProcessor(tok, template, images, tok.padId())
              .applyChat(chats, decoded.stream().map(List::of).toList());
          assertArrayEquals(ids, Tensors.toLongs2d(in.inputIds()));
          assertArrayEquals(mask, Tensors.toLongs2d(in.attentionMask()));
          GenerationConfig gen = GenerationConfig.greedy(MAX_NEW, tok.stopIds(), tok.padId())
              .withSuppressedTokens(model.config().visionTokenIds());
          GenerationOutput out =
              model.generate(Tensors.longs2d(ids), Tensors.longs2d(mask), pv.pixelValues(), pv.gridThw(), gen);
          for (int i = 0; i < part.size(); i++) {
            want.add(tok.decode(Arrays.copyOf(out.tokens()[i], out.lengths()[i]), true));
          }
        }
      }
    }
    List<String> got = DemoEvaluator.answers(base, rows, batch, MAX_NEW);
    assertEquals(want, got);
    assertTrue(got.stream().anyMatch(a -> !a.isEmpty()), "the base answers something: " + got);
  }

  @Test
  void trainingPromptIdsAreTheSplicedOnes(@TempDir Path dir) {
    assumeTrue(DemoBaseCheckpoint.shipped(), "needs the shipped base checkpoint");
    Path base = DemoBaseCheckpoint.extract(dir.resolve("base"));
    try (QwenTokenizer tok = QwenTokenizer.fromCheckpoint(base); PointerScope scope = new PointerScope()) {
      ChatTemplate template = ChatTemplate.fromCheckpoint(base);
      ImageProcessor images = ImageProcessor.fromCheckpoint(base);
      QwenPromptEncoder enc = new QwenPromptEncoder(tok, template, images, 0);
      for (Sample s : rows()) {
        QwenPrompt p = enc.encode(s);
        PixelValues pv = images.process(List.of(s.image().decode()));
        long[] want = splicedPrompt(tok, template, s.problem(), pv.tokens(0));
        assertArrayEquals(want, Tensors.toLongs(p.inputIds()));
        assertArrayEquals(new long[] {1, want.length}, Tensors.shape(p.attentionMask()));
        assertEquals(want.length, Arrays.stream(Tensors.toLongs(p.attentionMask())).sum());
        assertArrayEquals(pv.gridThw()[0], p.gridThw()[0]);
        assertArrayEquals(Tensors.toFloats(pv.pixelValues()), Tensors.toFloats(p.pixelValues()));
      }
    }
  }
}
