package dev.virft.rl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.data.DatasetReader;
import dev.virft.data.Datasets;
import dev.virft.data.Sample;
import dev.virft.data.SampleIterator;
import dev.virft.processor.ChatTemplate;
import dev.virft.processor.ImageProcessor;
import dev.virft.processor.QwenTokenizer;
import dev.virft.tensor.Tensors;
import dev.virft.util.VirftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QwenPromptEncoderTest {
  static final Path TOK = Path.of("src/test/resources/tokenizer");

  static Sample firstSample() {
    try (DatasetReader r = Datasets.open(Path.of("src/test/resources/data/virft_save_to_disk"));
        SampleIterator it = r.iterator()) {
      return it.next();
    }
  }

  static QwenPromptEncoder encoder(QwenTokenizer tok, int maxPromptLength) throws Exception {
    ChatTemplate tpl =
        new ChatTemplate(Files.readString(TOK.resolve("qwen2vl_chat_template.jinja")), "test template", Map.of());
    return new QwenPromptEncoder(tok, tpl, ImageProcessor.fromCheckpoint(TOK), maxPromptLength);
  }

  @Test
  void buildsTheOriginalsPromptWithExpandedImageTokens() throws Exception {
    try (QwenTokenizer tok = QwenTokenizer.fromCheckpoint(TOK)) {
      Sample s = firstSample();
      QwenPrompt p = encoder(tok, 1024).encode(s);
      assertTrue(
          p.text().startsWith("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\n"
              + "<|vision_start|><|image_pad|>"),
          p.text());
      assertTrue(p.text().endsWith(s.problem() + "<|im_end|>\n<|im_start|>assistant\n"), p.text());
      long pads = java.util.Arrays.stream(Tensors.toLongs(p.inputIds())).filter(i -> i == tok.imagePadId()).count();
      long[] g = p.gridThw()[0];
      assertEquals(g[0] * g[1] * g[2] / 4, pads);
      assertEquals(g[0] * g[1] * g[2], p.pixelValues().size(0));
    }
  }

  @Test
  void truncationMayCutTextButNeverImageTokens() throws Exception {
    try (QwenTokenizer tok = QwenTokenizer.fromCheckpoint(TOK)) {
      Sample s = firstSample();
      int full = encoder(tok, 1024).encode(s).length();
      QwenPrompt cut = encoder(tok, full - 3).encode(s); // drops 3 tokens of the system turn
      assertEquals(full - 3, cut.length());
      VirftException e = assertThrows(VirftException.class, () -> encoder(tok, 12).encode(s));
      assertTrue(e.getMessage().contains("--max_prompt_length 12 would cut image tokens"), e.getMessage());
    }
  }
}
