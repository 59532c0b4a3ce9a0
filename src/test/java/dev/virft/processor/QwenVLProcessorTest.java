package dev.virft.processor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.util.Json;
import dev.virft.util.VirftException;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QwenVLProcessorTest {
  static Path tokDir;
  static QwenVLProcessor proc;

  @BeforeAll
  static void load() throws Exception {
    tokDir = SharedTokenizer.dir();
    QwenTokenizer tok = SharedTokenizer.get();
    proc = new QwenVLProcessor(tok, ChatTemplate.fromCheckpoint(tokDir), ImageProcessor.fromCheckpoint(tokDir), tok.padId());
  }

  /**
   * make_golden.py builds each prompt as pre + vision_start + N x image_pad + vision_end + post; with
   * the N pads collapsed to one, batching must give back the golden input_ids / attention_mask.
   */
  @ParameterizedTest
  @ValueSource(strings = {"qwen2_vl", "qwen2_5_vl"})
  void goldenBatchIsReproduced(String arch) throws Exception {
    Path dir = ImageProcessorGoldenTest.golden(arch);
    JsonNode meta = Json.read(dir.resolve("golden.json"));
    long imagePad = meta.get("ids").get("image_token_id").asLong();
    long padId = meta.get("pad_id").asLong();
    List<long[]> prompts = new ArrayList<>();
    for (JsonNode seq : meta.get("seqs")) {
      List<Long> ids = new ArrayList<>();
      for (JsonNode t : seq) {
        long id = t.asLong();
        if (id != imagePad || ids.isEmpty() || ids.get(ids.size() - 1) != imagePad) {
          ids.add(id);
        }
      }
      prompts.add(ids.stream().mapToLong(Long::longValue).toArray());
    }
    try (PointerScope scope = new PointerScope()) {
      StateDict gold = Safetensors.readFile(dir.resolve("golden.safetensors"));
      PixelValues pv = ImageProcessor.fromCheckpoint(dir.resolve("checkpoint"))
          .processFiles(List.of(dir.resolve("image0.png"), dir.resolve("image1.png")));
      ProcessorOutput out = QwenVLProcessor.batch(prompts, pv, imagePad, padId);
      assertArrayEquals(ImageProcessorGoldenTest.longs(gold.get("input_ids")), ImageProcessorGoldenTest.longs(out.inputIds()));
      assertArrayEquals(gold.get("input_ids").sizes().vec().get(), out.inputIds().sizes().vec().get());
      assertArrayEquals(ImageProcessorGoldenTest.longs(gold.get("attention_mask")),
          ImageProcessorGoldenTest.longs(out.attentionMask()));
      assertArrayEquals(ImageProcessorGoldenTest.longs(gold.get("mm_token_type_ids")),
          ImageProcessorGoldenTest.longs(out.mmTokenTypeIds()));
      assertArrayEquals(ImageProcessorGoldenTest.longs(gold.get("proc_slow.image_grid_thw")),
          ImageProcessorGoldenTest.longs(out.imageGridThwTensor()));
    }
  }

  @Test
  void chatWithImagesExpandsPadsAndLeftPads() throws Exception {
    JsonNode golden = Json.read(tokDir.resolve("tokenizer_golden.json"));
    JsonNode oneImage = golden.get("chat").get(0);
    JsonNode textOnly = golden.get("chat").get(2);
    Path g = ImageProcessorGoldenTest.golden("qwen2_vl");
    BufferedImage img = ImageLoader.read(g.resolve("image1.png"));
    try (PointerScope scope = new PointerScope()) {
      ProcessorOutput out = proc.encode(
          List.of(proc.prompt(oneImage.get("messages"), true), proc.prompt(textOnly.get("messages"), true)),
          List.of(List.of(img), List.of()));
      long pad = proc.tokenizer().imagePadId();
      int n = (int) (out.imageGridThw()[0][0] * out.imageGridThw()[0][1] * out.imageGridThw()[0][2] / 4);
      // Sample 0: the golden chat ids with its single image pad repeated n times.
      List<Long> want = new ArrayList<>();
      for (JsonNode t : oneImage.get("ids")) {
        if (t.asLong() == pad) {
          for (int k = 0; k < n; k++) {
            want.add(pad);
          }
        } else {
          want.add(t.asLong());
        }
      }
      assertArrayEquals(want.stream().mapToLong(Long::longValue).toArray(), out.ids()[0]);
      assertArrayEquals(TextSideGoldenTest.ids(textOnly.get("ids")), out.ids()[1]);
      long[] ids = ImageProcessorGoldenTest.longs(out.inputIds());
      long[] mask = ImageProcessorGoldenTest.longs(out.attentionMask());
      int len = out.length();
      assertEquals(want.size(), len);
      int padCount = out.padding(1);
      assertTrue(padCount > 0);
      for (int j = 0; j < len; j++) {
        assertEquals(j < padCount ? 0 : 1, mask[len + j]);
        assertEquals(j < padCount ? proc.padId() : out.ids()[1][j - padCount], ids[len + j]);
        assertEquals(1, mask[j]);
      }
      assertEquals(151643, proc.padId());
      assertEquals(n * 4, out.pixelValues().sizes().vec().get()[0]);
    }
  }

  @Test
  void textOnlyBatchHasNoPixels() {
    try (PointerScope scope = new PointerScope()) {
      ProcessorOutput out = proc.encode(List.of("hello"), List.of(List.of()));
      assertNull(out.pixelValues());
      assertEquals(0, out.imageGridThw().length);
    }
  }

  @Test
  void imageCountMismatchIsAClearError() {
    VirftException e = assertThrows(VirftException.class, () -> proc.encode(
        List.of("<|vision_start|><|image_pad|><|vision_end|>two?<|image_pad|>"),
        List.of(List.of(new BufferedImage(56, 56, BufferedImage.TYPE_3BYTE_BGR)))));
    assertTrue(e.getMessage().contains("2 <|image_pad|>"), e.getMessage());
  }

  @Test
  void missingTokenizerFileIsNamed(@TempDir Path empty) {
    VirftException e = assertThrows(VirftException.class, () -> QwenVLProcessor.fromCheckpoint(empty));
    assertTrue(e.getMessage().contains(empty.resolve("tokenizer.json").toString()), e.getMessage());
  }
}
