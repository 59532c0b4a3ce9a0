package dev.virft.cli;

import dev.virft.data.Prompts;
import dev.virft.inference.AnswerBoxes;
import dev.virft.inference.BoxDrawing;
import dev.virft.inference.ModelQuery;
import dev.virft.inference.VisionChat;
import dev.virft.processor.ImageLoader;
import dev.virft.tensor.Device;
import dev.virft.util.VirftException;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code virft infer}: one question about one image, the answer printed, its boxes parsed and drawn.
 * {@code --detect} and {@code --ground} build the original's evaluation prompts (detection, and LISA
 * with its system prompt); {@code --prompt} sends any text.
 */
@Command(
    name = "infer",
    mixinStandardHelpOptions = true,
    description = {
      "Ask a checkpoint about an image: prints the answer and its boxes (detection or LISA format),",
      "and with --output writes the image with the boxes drawn and labelled."
    })
public final class InferCommand implements Callable<Integer> {
  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--model", required = true, paramLabel = "CKPT", description = "Checkpoint directory.")
  Path model;

  @Option(names = "--processor", paramLabel = "DIR", description = "Tokenizer/processor directory (default: --model).")
  Path processor;

  @Option(names = "--image", required = true, paramLabel = "I", description = "Image file.")
  Path image;

  static final class Question {
    @Option(names = "--prompt", paramLabel = "P", description = "The user text, sent as is after the image.")
    String prompt;

    @Option(names = "--detect", paramLabel = "CATEGORY",
        description = "Ask the original's COCO evaluation question for this category.")
    String detect;

    @Option(names = "--ground", paramLabel = "INSTRUCTION",
        description = "Ask the original's LISA evaluation question (with its system prompt).")
    String ground;
  }

  @ArgGroup(exclusive = true, multiplicity = "1")
  Question question;

  @Option(names = "--system", paramLabel = "TEXT", description = "A system message (default: none, or LISA's with --ground).")
  String system;

  @Option(names = "--output", paramLabel = "OUT.png", description = "Write the image with the parsed boxes drawn (.png/.jpg).")
  Path output;

  @Option(names = {"--max_new_tokens", "--max-new-tokens"}, paramLabel = "N",
      description = "Generated tokens (default: 1024, 128 with --ground, as the original).")
  Integer maxNewTokens;

  @Option(names = "--device", defaultValue = "cpu", paramLabel = "cpu|cuda", description = "Default ${DEFAULT-VALUE}.")
  String device;

  @Option(names = {"--min_pixels", "--min-pixels"}, paramLabel = "N", description = "Image resizing lower bound.")
  Long minPixels;

  @Option(names = {"--max_pixels", "--max-pixels"}, paramLabel = "N", description = "Image resizing upper bound.")
  Long maxPixels;

  @Override
  public Integer call() {
    String text;
    String sys = system;
    String name = null;
    if (question.detect != null) {
      text = Prompts.EVAL_IMAGE_PREFIX + Prompts.detection(question.detect);
      name = question.detect;
    } else if (question.ground != null) {
      text = Prompts.lisaEvalQuestion(question.ground);
      sys = sys != null ? sys : Prompts.SYSTEM_PROMPT;
    } else {
      text = question.prompt;
    }
    if (output != null) {
      BoxDrawing.formatOf(output); // refuse a bad name before the model runs
      OptionChecks.outputFile("--output", output);
      if (output.toAbsolutePath().normalize().equals(image.toAbsolutePath().normalize())) {
        throw new VirftException(output + ": --output would overwrite the input image");
      }
    }
    OptionChecks.require(maxNewTokens == null || maxNewTokens >= 1, "--max_new_tokens", "at least 1", maxNewTokens);
    BufferedImage img = ImageLoader.read(image);
    int maxNew = maxNewTokens != null ? maxNewTokens : question.ground != null ? 128 : 1024;
    VisionChat.Settings settings =
        new VisionChat.Settings(model, processor, Device.parse(device), maxNew, minPixels, maxPixels);
    String answer;
    try (VisionChat chat = VisionChat.load(settings)) {
      answer = chat.answer(List.of(new ModelQuery("0", image, sys, text, Map.of()))).get(0);
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(answer);
    List<AnswerBoxes.Box> boxes = AnswerBoxes.parse(answer, img.getWidth(), img.getHeight());
    out.printf(Locale.ROOT, "boxes (pixels of the %dx%d image): %d%n", img.getWidth(), img.getHeight(), boxes.size());
    for (AnswerBoxes.Box b : boxes) {
      out.printf(Locale.ROOT, "  [%.1f, %.1f, %.1f, %.1f] %s%n", b.x1(), b.y1(), b.x2(), b.y2(), b.label());
    }
    if (output != null) {
      BoxDrawing.write(BoxDrawing.draw(img, boxes, name), output);
      out.println("wrote " + output);
    }
    out.flush();
    return 0;
  }
}
