package dev.virft.generation;

import dev.virft.tensor.Tensors;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * transformers' sampling loop over a prefilled {@link DecodeSession}, on the model's device: logits
 * processors, warpers, the sampler and the stopping criteria all run where the logits are, chosen
 * tokens are written into a device buffer, and the host learns which rows finished only every
 * {@link #checkEvery} steps (one small read), when it also drops finished rows from the batch. Each
 * step runs in its own PointerScope: the session's cache and a few buffers are the only state kept.
 */
public final class DecodeLoop {
  /** Steps between the host's reads of the finished rows. */
  public final int checkEvery;

  private final List<LogitsProcessor> processors;
  private final List<LogitsWarper> warpers;
  private final SeededTokenSampler sampler;
  private final EosTokenCriteria eos;
  private final long padTokenId;
  private final int maxNewTokens;
  private final boolean dropFinishedRows;

  /** Called with the step count after each step's scope closed (benchmarks read native memory there). */
  public static final ThreadLocal<java.util.function.IntConsumer> STEP_PROBE = new ThreadLocal<>();

  private Stats stats = new Stats(0, 0, 0, 0, 0);

  /**
   * What the last {@link #run} did: steps, host reads of the finished rows, and the tensors made by
   * the first decode step (each one a native op that returned a tensor, views included), in the
   * model's forward and in the whole step (forward, processors, sampling, bookkeeping).
   */
  public record Stats(int steps, int hostChecks, long modelTensorsPerStep, long tensorsPerStep, int rowsAtEnd) {}

  public DecodeLoop(List<LogitsProcessor> processors, List<LogitsWarper> warpers, SeededTokenSampler sampler,
      EosTokenCriteria eos, long padTokenId, int maxNewTokens, int checkEvery, boolean dropFinishedRows) {
    this.processors = List.copyOf(processors);
    this.warpers = List.copyOf(warpers);
    this.sampler = sampler;
    this.eos = eos;
    this.padTokenId = padTokenId;
    this.maxNewTokens = maxNewTokens;
    this.checkEvery = Math.max(1, checkEvery);
    this.dropFinishedRows = dropFinishedRows;
  }

  public Stats stats() {
    return stats;
  }

  /**
   * Runs to {@code maxNewTokens} or until every row stopped.
   *
   * @param session prefilled for all rows
   * @param firstLogits [rows, V] float32 logits after the prompt
   * @param history [rows, promptLength + maxNewTokens] int64 on the device: each row's prompt ids
   *     (padding included, what transformers' repetition penalty sees) in its first columns; the loop
   *     writes the generated ids after them. May be null when no processor reads ids.
   * @param promptLength columns of {@code history} that hold the prompt
   * @return host tokens [rows][T] (pad after a row's stop token, T = the longest row) and lengths
   */
  public long[][] run(DecodeSession session, Tensor firstLogits, Tensor history, int promptLength, int[] lengthsOut) {
    int rows = session.rows();
    var dev = firstLogits.device();
    TensorOptions lo = new TensorOptions(torch.ScalarType.Long).device(new org.bytedeco.pytorch.DeviceOptional(dev));
    Tensor tokens = torch.full(new long[] {rows, Math.max(1, maxNewTokens)}, new Scalar(padTokenId), lo);
    Tensor done = torch.zeros(new long[] {rows}, new TensorOptions(torch.ScalarType.Bool)
        .device(new org.bytedeco.pytorch.DeviceOptional(dev)));
    Tensor rowIds = null; // indices of the current rows among all rows, once some were dropped
    Tensor hist = history;
    Tensor last = null;
    for (Tensor t : new Tensor[] {tokens, done}) {
      t.retainReference();
    }
    if (hist != null) {
      hist.retainReference();
    }
    int steps = 0;
    int checks = 0;
    long tensorsPerStep = 0;
    long modelTensors = 0;
    int current = rows;
    try {
      for (int s = 0; s < maxNewTokens; s++) {
        CountingScope scope = new CountingScope();
        try {
          Tensor logits = s == 0 ? firstLogits : session.step(last);
          if (s == 1) {
            modelTensors = scope.tensors;
          }
          Tensor next = choose(logits, hist, promptLength + s, rowIds);
          next = torch.where(done, new Scalar(padTokenId), next);
          Tensor column = tokens.select(1, s);
          if (rowIds == null) {
            column.copy_(next);
          } else {
            column.index_copy_(0, rowIds, next);
          }
          if (hist != null && s + 1 < maxNewTokens) {
            hist.select(1, promptLength + s).copy_(next);
          }
          if (!eos.isEmpty()) {
            done.logical_or_(eos.isDone(next));
          }
          Tensor keep = next;
          keep.retainReference();
          if (last != null) {
            last.releaseReference();
          }
          last = keep;
        } finally {
          if (s == 1) {
            tensorsPerStep = scope.tensors;
          }
          scope.close();
        }
        steps = s + 1;
        java.util.function.IntConsumer probe = STEP_PROBE.get();
        if (probe != null) {
          probe.accept(steps);
        }
        if (eos.isEmpty() || (steps % checkEvery != 0 && steps != maxNewTokens)) {
          continue;
        }
        checks++;
        try (PointerScope check = new PointerScope()) {
          long[] flags = Tensors.toLongs(done.to(torch.ScalarType.Long));
          boolean[] finished = new boolean[flags.length];
          for (int i = 0; i < flags.length; i++) {
            finished[i] = flags[i] != 0;
          }
          int alive = 0;
          for (boolean f : finished) {
            alive += f ? 0 : 1;
          }
          if (alive == 0) {
            break;
          }
          if (dropFinishedRows && alive < current && steps < maxNewTokens) {
            long[] keepIdx = new long[alive];
            for (int i = 0, j = 0; i < finished.length; i++) {
              if (!finished[i]) {
                keepIdx[j++] = i;
              }
            }
            Tensor idx = Tensors.longs(keepIdx, alive).to(dev, torch.ScalarType.Long);
            session.keepRows(idx);
            Tensor newRowIds = rowIds == null ? idx : rowIds.index_select(0, idx);
            Tensor newDone = done.index_select(0, idx);
            Tensor newLast = last.index_select(0, idx);
            Tensor newHist = hist == null ? null : hist.index_select(0, idx);
            for (Tensor t : new Tensor[] {newRowIds, newDone, newLast, newHist}) {
              if (t != null) {
                t.retainReference();
              }
            }
            for (Tensor t : new Tensor[] {rowIds, done, last, hist}) {
              if (t != null) {
                t.releaseReference();
              }
            }
            rowIds = newRowIds;
            done = newDone;
            last = newLast;
            hist = newHist;
            current = alive;
          }
        }
      }
      long[][] all = Tensors.toLongs2d(tokens.narrow(1, 0, Math.max(steps, 0)).contiguous());
      int longest = 0;
      for (int r = 0; r < rows; r++) {
        int len = steps;
        for (int j = 0; j < steps; j++) {
          if (eos.isStop(all[r][j])) {
            len = j + 1;
            break;
          }
        }
        lengthsOut[r] = len;
        longest = Math.max(longest, len);
      }
      long[][] out = new long[rows][];
      for (int r = 0; r < rows; r++) {
        out[r] = java.util.Arrays.copyOf(all[r], longest);
      }
      stats = new Stats(steps, checks, modelTensors, tensorsPerStep, current);
      return out;
    } finally {
      for (Tensor t : new Tensor[] {tokens, done, rowIds, last, hist}) {
        if (t != null) {
          t.releaseReference();
        }
      }
    }
  }

  private Tensor choose(Tensor logits, Tensor hist, int idsSoFar, Tensor rowIds) {
    Tensor scores = logits;
    if (!processors.isEmpty()) {
      Tensor ids = hist == null ? null : hist.narrow(1, 0, idsSoFar);
      for (LogitsProcessor p : processors) {
        scores = p.process(ids, scores);
      }
    }
    Candidates c = Candidates.fullVocabulary(scores);
    if (sampler.doSample()) {
      for (LogitsWarper w : warpers) {
        c = w.warp(c);
      }
    }
    return sampler.choose(c, rowIds);
  }

  /** A PointerScope that also counts the tensors made in it: the native ops that returned one. */
  static final class CountingScope extends PointerScope {
    long tensors;

    @Override
    public PointerScope attach(Pointer p) {
      if (p instanceof Tensor) {
        tensors++;
      }
      return super.attach(p);
    }
  }
}
