package dev.virft.demo;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * The texts the demo tokenizer learns its merges from: the chat frame Qwen2-VL's template renders, the
 * original's detection / classification / grounding prompts over the synthetic task's colours and shapes,
 * and answers in the original's formats with random numbers. Deterministic for a given seed.
 */
public final class DemoCorpus {
  public static final List<String> COLORS =
      List.of("red", "green", "blue", "yellow", "purple", "orange", "white", "black", "gray", "pink");
  public static final List<String> SHAPES =
      List.of("circle", "square", "triangle", "rectangle", "ellipse", "star", "diamond", "cross");

  /** The original's detection prompt (spec §1.1), with the category filled in. */
  public static String detectionPrompt(String category) {
    return "Detect all objects belonging to the category '"
        + category
        + "' in the image, and provide the bounding boxes (between 0 and 1000, integer) and confidence"
        + " (between 0 and 1, with two decimal places).\nIf no object belonging to the category '"
        + category
        + "' in the image, return 'No Objects'.\nOutput the thinking process in <think> </think> and"
        + " final answer in <answer> </answer> tags.The output answer format should be as follows:\n"
        + "<think> ... </think> <answer>[{'Position': [x1, y1, x2, y2], 'Confidence': number}, ...]"
        + "</answer>\nPlease strictly follow the format.";
  }

  private DemoCorpus() {}

  /** The corpus: {@code n} random rows of each kind, each with the chat frame. */
  public static List<String> texts(long seed, int n) {
    Random rnd = new Random(seed);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      // The chat frame around every row, as often as the rows, so its words get merged too.
      out.add("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n");
      out.add("<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>");
      out.add("<|im_end|>\n<|im_start|>assistant\n");
      out.add("<image>\n");
      String color = COLORS.get(rnd.nextInt(COLORS.size()));
      String shape = SHAPES.get(rnd.nextInt(SHAPES.size()));
      String category = color + " " + shape;
      out.add(detectionPrompt(category));
      int k = rnd.nextInt(4);
      StringBuilder answer = new StringBuilder();
      answer.append("<think> ");
      answer.append(
          k == 0
              ? "There is no " + category + " in the image."
              : k == 1
                  ? "There is one " + category + " in the image."
                  : "There are " + k + " " + category + "s in the image.");
      answer.append(" </think> <answer>");
      if (k == 0) {
        answer.append("No Objects");
      } else {
        answer.append('[');
        for (int j = 0; j < k; j++) {
          if (j > 0) answer.append(", ");
          int x1 = rnd.nextInt(900), y1 = rnd.nextInt(900);
          int x2 = x1 + 1 + rnd.nextInt(1000 - x1), y2 = y1 + 1 + rnd.nextInt(1000 - y1);
          String conf = rnd.nextBoolean() ? "1" : String.format("0.%02d", rnd.nextInt(100));
          answer.append("{'Position': [").append(x1).append(", ").append(y1).append(", ");
          answer.append(x2).append(", ").append(y2).append("], 'Confidence': ").append(conf);
          answer.append('}');
        }
        answer.append(']');
      }
      answer.append("</answer>");
      out.add(answer.toString());
      // Classification and grounding rows of the synthetic task, in the original's formats.
      out.add(
          "This is an image containing a shape. Please identify the shape based on the image.\n"
              + "Output the thinking process in <think> </think> and final answer in <answer> </answer>"
              + " tags.The output answer format should be as follows:\n<think> ... </think>"
              + " <answer>species name</answer>\nPlease strictly follow the format.");
      out.add("<think> The shape is a " + category + ". </think> <answer>" + category + "</answer>");
      out.add(
          "Output the bounding box in the image corresponding to the instruction: the "
              + category
              + " left of the "
              + COLORS.get(rnd.nextInt(COLORS.size()))
              + " "
              + SHAPES.get(rnd.nextInt(SHAPES.size()))
              + " Output the thinking process in <think> </think> and your grouding box. Following"
              + " \"<think> thinking process </think>\n<answer>(x1,y1),(x2,y2)</answer>)\" format.");
      out.add(
          "<think> The "
              + category
              + " is on the "
              + (rnd.nextBoolean() ? "left" : "right")
              + ". </think>\n<answer>("
              + rnd.nextInt(1000)
              + ","
              + rnd.nextInt(1000)
              + "),("
              + rnd.nextInt(1000)
              + ","
              + rnd.nextInt(1000)
              + ")</answer>");
    }
    return out;
  }
}
