package dev.virft.data;

import java.util.List;
import java.util.Locale;

/**
 * The original Visual-RFT's prompt and ground-truth strings, verbatim (spec §1.1–§1.3); quirks such as
 * "tags.The", "grouding" and the stray ")" are the original's and are kept on purpose.
 */
public final class Prompts {
  private Prompts() {}

  /**
   * The R1 system prompt (spec §0, verbatim): the original sends it only in LISA evaluation and its
   * demo, never in training or in the COCO/LVIS/classification evaluations.
   */
  public static final String SYSTEM_PROMPT =
      "A conversation between User and Assistant. The user asks a question, and the Assistant solves it. The assistant first thinks about the reasoning process in the mind and then provides the user with the answer. The reasoning process and answer are enclosed within <think> </think> and <answer> </answer> tags, respectively, i.e., <think> reasoning process here </think><answer> answer here </answer>";

  /**
   * What the COCO, LVIS and classification evaluation scripts put before the question (spec §1.1): the
   * literal text {@code <image>}, tokenized as ordinary text, after the real image item.
   */
  public static final String EVAL_IMAGE_PREFIX = "<image>\n";

  private static final String THINK_SUFFIX =
      "\nOutput the thinking process in <think> </think> and final answer in <answer> </answer> tags.The output answer format should be as follows:\n";

  /** The detection question for one category (spec §1.1), as the training {@code problem}. */
  public static String detection(String category) {
    return "Detect all objects belonging to the category '" + category
        + "' in the image, and provide the bounding boxes (between 0 and 1000, integer) and confidence (between 0 and 1, with two decimal places).\nIf no object belonging to the category '"
        + category + "' in the image, return 'No Objects'." + THINK_SUFFIX
        + "<think> ... </think> <answer>[{'Position': [x1, y1, x2, y2], 'Confidence': number}, ...]</answer>\nPlease strictly follow the format.";
  }

  /**
   * The ground truth of a detection row: {@code <answer>[{'Position': [x1, y1, x2, y2], 'Confidence':
   * 1}, ...]</answer>}, or {@code <answer>No Objects</answer>} for a negative row (no boxes): the
   * string the original's reward matched in its first version and the one its data files carry.
   */
  public static String detectionSolution(List<int[]> boxes) {
    if (boxes.isEmpty()) {
      return "<answer>No Objects</answer>";
    }
    StringBuilder sb = new StringBuilder("<answer>[");
    for (int i = 0; i < boxes.size(); i++) {
      int[] b = boxes.get(i);
      if (i > 0) sb.append(", ");
      sb.append("{'Position': [").append(b[0]).append(", ").append(b[1]).append(", ").append(b[2]).append(", ")
          .append(b[3]).append("], 'Confidence': 1}");
    }
    return sb.append("]</answer>").toString();
  }

  /** First sentences of the classification prompts per dataset (spec §1.2). */
  public static String classificationSentence(String dataset) {
    return switch (dataset.toLowerCase(Locale.ROOT)) {
      case "flowers", "flower", "flowers102" ->
          "This is an image containing a plant. Please identify the species of the plant based on the image.";
      case "pets", "pet", "pets37" ->
          "This is an image containing a pet. Please identify the species of the pet based on the image.";
      case "cars", "car", "cars196" ->
          "This is an image containing a car. Please identify the model of the car based on the image.";
      case "aircraft", "fgvc_aircraft", "fgvc-aircraft" ->
          "This is an image containing an aircraft. Please identify the model of the aircraft based on the image.";
      default -> throw new IllegalArgumentException(
          "unknown classification dataset '" + dataset + "' (flowers, pets, cars, aircraft, or give a custom sentence)");
    };
  }

  /** A classification prompt: the dataset's sentence + the original's common suffix. */
  public static String classification(String sentence) {
    return sentence + THINK_SUFFIX + "<think> ... </think> <answer>species name</answer>\nPlease strictly follow the format.";
  }

  public static String classificationSolution(String className) {
    return "<answer>" + className + "</answer>";
  }

  /** LISA's user text before the template (gen_sft.py), without the {@code <img>} part. */
  public static String lisaInstruction(String instruction) {
    return "Output the bounding box in the image corresponding to the instruction: " + instruction;
  }

  /** grpo_lisa.py's QUESTION_TEMPLATE applied to the (img-stripped, stripped) user text. */
  public static String lisaQuestion(String question) {
    return question
        + " Output the thinking process in <think> </think> and your grouding box. Following \"<think> thinking process </think>\n<answer>(x1,y1),(x2,y2)</answer>)\" format.";
  }

  /**
   * The LISA evaluation question (Qwen2_VL_lisa_infere.py and the demo): the training text with a "."
   * after the instruction; sent with {@link #SYSTEM_PROMPT} and without {@link #EVAL_IMAGE_PREFIX}.
   */
  public static String lisaEvalQuestion(String instruction) {
    return lisaQuestion(lisaInstruction(instruction) + ".");
  }

  /** gen_sft.py's assistant value: {@code (X1,Y1),(X2,Y2)} in 0–1000 ints. */
  public static String lisaBox(int[] box) {
    return "(" + box[0] + "," + box[1] + "),(" + box[2] + "," + box[3] + ")";
  }

  /** grpo_lisa.py's solution: {@code '<answer> ' + box + ' </answer>'} (spaces inside the tags). */
  public static String lisaSolution(String box) {
    return "<answer> " + box + " </answer>";
  }

  /** Spec §0: {@code int(x / W * 1000)}, truncating toward zero as Python's int() does. */
  public static int norm1000(double v, double size) {
    return (int) (v / size * 1000);
  }

  /** A pixel box [x1, y1, x2, y2] in an image W×H → the 0–1000 integer box of the original. */
  public static int[] box1000(double x1, double y1, double x2, double y2, double w, double h) {
    return new int[] {norm1000(x1, w), norm1000(y1, h), norm1000(x2, w), norm1000(y2, h)};
  }
}
