package dev.virft.rl;

import dev.virft.tensor.Safetensors;
import dev.virft.tensor.StateDict;
import dev.virft.tensor.Tensors;
import dev.virft.util.AtomicFiles;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A tiny autoregressive policy for trainer tests (not a Qwen model): the next-token logits are
 * {@code head . tanh(embedPrompt[prompt] + embedPrev[previous token])}. Small enough that a GRPO
 * run of a few dozen steps finishes in seconds, real enough (sampling, log-probs, autograd, saving)
 * to exercise every part of the trainer.
 */
public class ToyPolicy implements PolicyModel<long[]> {
  static final int VOCAB = 8;
  public static final long EOS = 5;
  public static final long PAD = 6;
  static final long BOS = 7;
  static final int HIDDEN = 16;

  final LinkedHashMap<String, Tensor> params = new LinkedHashMap<>();

  public static ToyPolicy random(long seed) {
    torch.manual_seed(seed);
    ToyPolicy p = new ToyPolicy();
    p.params.put("embed_prompt.weight", torch.randn(VOCAB, HIDDEN).set_requires_grad(true));
    p.params.put("embed_prev.weight", torch.randn(VOCAB, HIDDEN).set_requires_grad(true));
    p.params.put("lm_head.weight", torch.randn(VOCAB, HIDDEN).mul(new org.bytedeco.pytorch.Scalar(0.3)).set_requires_grad(true));
    return p;
  }

  public static ToyPolicy load(Path dir) {
    StateDict sd = Safetensors.read(dir.resolve("model.safetensors"));
    ToyPolicy p = new ToyPolicy();
    for (String n : new String[] {"embed_prompt.weight", "embed_prev.weight", "lm_head.weight"}) {
      p.params.put(n, sd.get(n).clone().set_requires_grad(true));
    }
    return p;
  }

  ToyPolicy frozenCopy() {
    ToyPolicy p = new ToyPolicy();
    params.forEach((k, v) -> p.params.put(k, v.detach().clone()));
    return p;
  }

  @Override
  public LinkedHashMap<String, Tensor> trainableParameters() {
    return params;
  }

  /** logits [G, T, V] for prompt tokens and previous tokens [G, T]. */
  private Tensor logits(long prompt, Tensor prev) {
    Tensor hp = params.get("embed_prompt.weight").get(prompt);
    Tensor h = torch.tanh(torch.embedding(params.get("embed_prev.weight"), prev).add(hp));
    return torch.matmul(h, params.get("lm_head.weight").t());
  }

  @Override
  public Tensor generate(long[] prompt, int n, Sampling s, long seed) {
    Random rnd = new Random(seed);
    long[] out = new long[n * s.maxNewTokens()];
    java.util.Arrays.fill(out, PAD);
    for (int r = 0; r < n; r++) {
      long prev = BOS;
      for (int t = 0; t < s.maxNewTokens(); t++) {
        Tensor lg = logits(prompt[0], Tensors.longs(new long[] {prev}, 1, 1)).reshape(VOCAB);
        float[] p = Tensors.toFloats(torch.softmax(lg.div(new org.bytedeco.pytorch.Scalar(s.temperature())), 0));
        double u = rnd.nextDouble();
        int tok = VOCAB - 1;
        double acc = 0;
        for (int v = 0; v < VOCAB; v++) {
          acc += p[v];
          if (u < acc) {
            tok = v;
            break;
          }
        }
        out[r * s.maxNewTokens() + t] = tok;
        prev = tok;
        if (tok == EOS) {
          break;
        }
      }
    }
    return Tensors.longs(out, n, s.maxNewTokens());
  }

  @Override
  public Tensor completionLogProbs(long[] prompt, Tensor ids) {
    long g = ids.size(0);
    Tensor prev =
        torch.cat(
            new org.bytedeco.pytorch.TensorVector(
                torch.full(new long[] {g, 1}, new org.bytedeco.pytorch.Scalar(BOS)).to(torch.ScalarType.Long),
                ids.narrow(1, 0, ids.size(1) - 1)),
            1);
    Tensor lp = torch.log_softmax(logits(prompt[0], prev), 2);
    return lp.gather(2, ids.unsqueeze(2)).squeeze(2);
  }

  @Override
  public void save(Path dir) {
    Safetensors.write(dir.resolve("model.safetensors"), new LinkedHashMap<>(params), Map.of("format", "pt"));
    AtomicFiles.writeString(dir.resolve("config.json"), "{\"model_type\": \"toy\"}\n");
  }
}
