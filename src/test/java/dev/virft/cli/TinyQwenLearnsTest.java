package dev.virft.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.virft.data.DatasetReader;
import dev.virft.data.Datasets;
import dev.virft.data.Sample;
import dev.virft.data.SampleIterator;
import dev.virft.model.QwenVLModel;
import dev.virft.processor.ChatTemplate;
import dev.virft.processor.ImageProcessor;
import dev.virft.processor.QwenTokenizer;
import dev.virft.processor.StopTokens;
import dev.virft.rl.GrpoOptions;
import dev.virft.rl.GrpoTrainer;
import dev.virft.rl.QwenPolicy;
import dev.virft.rl.QwenPrompt;
import dev.virft.rl.QwenPromptEncoder;
import dev.virft.rl.RolloutTask;
import dev.virft.tensor.Device;
import dev.virft.util.Json;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * GRPO on a tiny random Qwen2-VL (real tokenizer, real image prompts) with an easy dense reward: the
 * share of upper-case ASCII letters in the completion. A random model rarely emits them (a small
 * part of the vocabulary); the policy must learn to prefer them, so the mean reward has to rise.
 */
class TinyQwenLearnsTest {
  @TempDir Path tmp;

  @Test
  void meanRewardRisesWithin24Steps() throws Exception {
    Path base = TinyQwenCheckpoint.create(tmp.resolve("base"), 3);
    List<Sample> samples = new ArrayList<>();
    try (DatasetReader r = Datasets.open(Path.of("src/test/resources/data/virft_save_to_disk"));
        SampleIterator it = r.iterator()) {
      it.forEachRemaining(samples::add);
    }
    GrpoOptions o = new GrpoOptions();
    o.outputDir = tmp.resolve("out");
    o.numGenerations = 8;
    o.maxCompletionLength = 6;
    o.gradientAccumulationSteps = 1;
    o.learningRate = 1e-2;
    o.beta = 0;
    o.maxSteps = 24;
    o.saveSteps = 1000;
    o.progressBar = false;
    try (QwenTokenizer tok = QwenTokenizer.fromCheckpoint(base);
        QwenVLModel model = QwenVLModel.load(base, Device.CPU)) {
      o.stopTokenIds = StopTokens.of(tok);
      o.padTokenId = tok.padId();
      QwenPromptEncoder enc =
          new QwenPromptEncoder(tok, ChatTemplate.fromCheckpoint(base), ImageProcessor.fromCheckpoint(base), 1024);
      RolloutTask<Sample, QwenPrompt> task =
          new RolloutTask<>() {
            @Override
            public QwenPrompt encode(Sample s) {
              return enc.encode(s);
            }

            @Override
            public String decode(long[] ids) {
              return tok.decode(ids, true);
            }

            @Override
            public List<String> rewardNames() {
              return List.of("uppercase");
            }

            @Override
            public double[] rewards(Sample s, String c) {
              long letters = c.chars().filter(ch -> ch >= 'A' && ch <= 'Z').count();
              return new double[] {c.isEmpty() ? 0 : (double) letters / c.length()};
            }

            @Override
            public String promptText(Sample s) {
              return s.problem();
            }
          };
      new GrpoTrainer<>(o, samples, task, new QwenPolicy(model), null, new PrintStream(java.io.OutputStream.nullOutputStream()))
          .train(null);
    }
    List<String> lines = Files.readAllLines(o.outputDir.resolve("metrics.jsonl"));
    double first = 0, last = 0;
    for (int i = 0; i < 6; i++) {
      first += Json.MAPPER.readTree(lines.get(i)).get("reward").asDouble() / 6;
      last += Json.MAPPER.readTree(lines.get(lines.size() - 1 - i)).get("reward").asDouble() / 6;
    }
    System.out.printf("tiny Qwen2-VL GRPO: mean reward first 6 steps %.3f, last 6 steps %.3f%n", first, last);
    assertTrue(last > first + 0.1, "mean reward of the first 6 steps " + first + ", last 6 " + last);
  }
}
