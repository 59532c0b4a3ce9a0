package dev.virft.sft;

/** What SFT needs from a task: the prompt as the model reads it and the target answer's token ids. */
public interface SftTask<E, P> {
  P encode(E example);

  /** Ids of the answer the model is trained to produce (including the end-of-turn token). */
  long[] answerIds(E example);
}
