package dev.virft.inference;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.virft.data.Prompts;
import dev.virft.processor.ChatTemplate;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The evaluation prompts rendered by Qwen2-VL's own chat template, as the original scripts send them. */
class EvalPromptsTest {
  private static ChatTemplate qwen2vl() throws URISyntaxException {
    return ChatTemplate.fromCheckpoint(
        Path.of(EvalPromptsTest.class.getResource("/tokenizer/tokenizer_config.json").toURI()).getParent());
  }

  private static final String USER_IMAGE = "<|im_start|>user\n<|vision_start|><|image_pad|><|vision_end|>";
  private static final String END = "<|im_end|>\n<|im_start|>assistant\n";

  @Test
  void detectionAndClassificationSendTheImageThenTheImageTagPrefixedQuestion() throws Exception {
    ModelQuery q = new ModelQuery("k", Path.of("x.png"), null, Prompts.EVAL_IMAGE_PREFIX + Prompts.detection("fire hydrant"),
        Map.of());
    String text = qwen2vl().render(VisionChat.messages(q), true);
    assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n" + USER_IMAGE
        + "<image>\nDetect all objects belonging to the category 'fire hydrant' in the image, and provide the bounding"
        + " boxes (between 0 and 1000, integer) and confidence (between 0 and 1, with two decimal places).\nIf no"
        + " object belonging to the category 'fire hydrant' in the image, return 'No Objects'.\nOutput the thinking"
        + " process in <think> </think> and final answer in <answer> </answer> tags.The output answer format should"
        + " be as follows:\n<think> ... </think> <answer>[{'Position': [x1, y1, x2, y2], 'Confidence': number},"
        + " ...]</answer>\nPlease strictly follow the format." + END, text);
  }

  @Test
  void lisaSendsTheR1SystemPromptAndTheInstructionWithAPeriod() throws Exception {
    ModelQuery q = new ModelQuery("k", Path.of("x.png"), Prompts.SYSTEM_PROMPT,
        Prompts.lisaEvalQuestion("the thing that keeps food cold"), Map.of());
    String text = qwen2vl().render(VisionChat.messages(q), true);
    assertEquals("<|im_start|>system\nA conversation between User and Assistant. The user asks a question, and the"
        + " Assistant solves it. The assistant first thinks about the reasoning process in the mind and then provides"
        + " the user with the answer. The reasoning process and answer are enclosed within <think> </think> and"
        + " <answer> </answer> tags, respectively, i.e., <think> reasoning process here </think><answer> answer here"
        + " </answer><|im_end|>\n" + USER_IMAGE
        + "Output the bounding box in the image corresponding to the instruction: the thing that keeps food cold."
        + " Output the thinking process in <think> </think> and your grouding box. Following \"<think> thinking"
        + " process </think>\n<answer>(x1,y1),(x2,y2)</answer>)\" format." + END, text);
  }
}
