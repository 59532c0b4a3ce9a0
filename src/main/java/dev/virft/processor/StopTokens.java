package dev.virft.processor;

import java.util.Arrays;
import java.util.stream.LongStream;

/**
 * The ids that end a completion in training and in the demo, decided once from a checkpoint's
 * tokenizer and generation config: {@code generation_config.json}'s {@code eos_token_id} (the
 * tokenizer's eos when absent), then {@code <|im_end|>} and {@code <|endoftext|>} when the vocabulary
 * has them. The chat's end tokens are added because TRL's GRPO trainer masks each completion after the
 * tokenizer's eos ({@code <|im_end|>}) whatever the generation config lists, and a base whose config
 * names only {@code <|endoftext|>} would otherwise run every completion to the length cap.
 *
 * <p>Inference ({@code VisionChat.load}) instead stops where the evaluated checkpoint's own
 * {@code generation_config.json} says, as transformers' {@code generate} does in the original's
 * evaluation scripts; a checkpoint virft writes keeps its base's file, or one written from these ids.
 */
public final class StopTokens {
  private StopTokens() {}

  public static long[] of(QwenTokenizer tok) {
    LongStream.Builder b = LongStream.builder();
    for (long id : tok.stopIds()) {
      b.add(id);
    }
    tok.specialTokenId(QwenTokenizer.IM_END).ifPresent(b::add);
    tok.specialTokenId(QwenTokenizer.END_OF_TEXT).ifPresent(b::add);
    return Arrays.stream(b.build().toArray()).distinct().toArray();
  }
}
