package dev.virft.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The position in the training data: epoch and index into that epoch's order. Each epoch is a
 * permutation drawn from {@code seed + epoch}, so the order is a function of (seed, epoch) and a resumed
 * run sees exactly the examples the uninterrupted run would have seen.
 */
public final class DataCursor {
  private final int size;
  private final long seed;
  private final boolean shuffle;
  private int epoch;
  private int index;
  private List<Integer> order;

  public DataCursor(int size, long seed, boolean shuffle, int epoch, int index) {
    if (size <= 0) {
      throw new IllegalArgumentException("empty dataset");
    }
    this.size = size;
    this.seed = seed;
    this.shuffle = shuffle;
    this.epoch = epoch;
    this.index = index;
    this.order = orderOf(epoch);
  }

  /**
   * The next {@code n} example indices. An epoch tail shorter than {@code n} is dropped (like a
   * drop_last sampler), so every optimizer step sees a full batch.
   */
  public int[] next(int n) {
    if (n > size) {
      throw new IllegalArgumentException("batch of " + n + " > dataset of " + size);
    }
    if (index + n > size) {
      epoch++;
      index = 0;
      order = orderOf(epoch);
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = order.get(index + i);
    }
    index += n;
    return out;
  }

  public int epoch() {
    return epoch;
  }

  public int index() {
    return index;
  }

  /** Fractional epoch for logs. */
  public double epochProgress() {
    return epoch + (double) index / size;
  }

  private List<Integer> orderOf(int e) {
    List<Integer> idx = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      idx.add(i);
    }
    if (shuffle) {
      Collections.shuffle(idx, new Random(seed + e));
    }
    return idx;
  }
}
