package dev.virft.rl;

import dev.virft.tensor.Tensors;
import dev.virft.train.AdamW;
import dev.virft.train.GradientClipping;
import dev.virft.train.LinearSchedule;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

class OptimizationTest {
  /** Plain-Java AdamW on one scalar, written from the formula in torch.optim.AdamW's docs. */
  static double[] referenceAdamW(double p, double[] grads, double lr, double wd) {
    double m = 0, v = 0;
    for (int t = 1; t <= grads.length; t++) {
      double g = grads[t - 1];
      p *= 1 - lr * wd;
      m = 0.9 * m + 0.1 * g;
      v = 0.999 * v + 0.001 * g * g;
      double mHat = m / (1 - Math.pow(0.9, t));
      double vHat = v / (1 - Math.pow(0.999, t));
      p -= lr * mHat / (Math.sqrt(vHat) + 1e-8);
    }
    return new double[] {p, m, v};
  }

  @Test
  void adamWMatchesTheReferenceUpdateIncludingDecoupledDecay() {
    Tensor w = Tensor.create(new double[] {1.0, -2.0}, 2).clone().set_requires_grad(true);
    Tensor b = Tensor.create(new double[] {0.5}, 1).clone().set_requires_grad(true);
    LinkedHashMap<String, Tensor> params = new LinkedHashMap<>();
    params.put("layer.weight", w);
    params.put("layer.bias", b);
    AdamW opt = new AdamW(params, AdamW.Hyper.defaults(0.01));
    double[][] gw = {{0.5, -0.25, 3.0}, {1.0, 0.0, -2.0}};
    double[] gb = {0.2, 0.2, -0.1};
    for (int s = 0; s < 3; s++) {
      opt.zeroGrad();
      // loss whose gradient is exactly the wanted one
      Tensor loss =
          w.mul(Tensor.create(new double[] {gw[0][s], gw[1][s]}, 2)).sum().add(b.mul(new Scalar(gb[s])).sum());
      loss.backward();
      opt.step(0.1);
    }
    double[] got = Tensors.toDoubles(w);
    assertEquals(referenceAdamW(1.0, gw[0], 0.1, 0.01)[0], got[0], 1e-12);
    assertEquals(referenceAdamW(-2.0, gw[1], 0.1, 0.01)[0], got[1], 1e-12);
    // the bias is not decayed (HF rule)
    assertEquals(referenceAdamW(0.5, gb, 0.1, 0.0)[0], Tensors.toDoubles(b)[0], 1e-12);
    assertEquals(
        referenceAdamW(1.0, gw[0], 0.1, 0.01)[2],
        Tensors.toDoubles(opt.stateTensors().get("exp_avg_sq.layer.weight"))[0],
        1e-15);
    assertEquals(3, opt.stepCount());
  }

  @Test
  void restoredStateContinuesIdentically() {
    torch.manual_seed(1);
    Tensor init = torch.randn(4, 3);
    Tensor[] grads = {torch.randn(4, 3), torch.randn(4, 3), torch.randn(4, 3), torch.randn(4, 3)};
    Tensor a = init.clone().set_requires_grad(true);
    AdamW optA = new AdamW(single(a), AdamW.Hyper.defaults(0.0));
    for (Tensor g : grads) {
      applyGrad(a, g);
      optA.step(1e-2);
    }
    Tensor b = init.clone().set_requires_grad(true);
    AdamW optB = new AdamW(single(b), AdamW.Hyper.defaults(0.0));
    for (int i = 0; i < 2; i++) {
      applyGrad(b, grads[i]);
      optB.step(1e-2);
    }
    Tensor c = b.detach().clone().set_requires_grad(true);
    AdamW optC = new AdamW(single(c), AdamW.Hyper.defaults(0.0));
    LinkedHashMap<String, Tensor> saved = new LinkedHashMap<>();
    optB.stateTensors().forEach((k, t) -> saved.put(k, t.clone()));
    optC.loadState(saved, optB.stepCount(), "test");
    for (int i = 2; i < 4; i++) {
      applyGrad(c, grads[i]);
      optC.step(1e-2);
    }
    assertTrue(a.detach().equal(c.detach()), "parameters bit-identical after restore");
  }

  private static LinkedHashMap<String, Tensor> single(Tensor t) {
    LinkedHashMap<String, Tensor> m = new LinkedHashMap<>();
    m.put("w", t);
    return m;
  }

  private static void applyGrad(Tensor p, Tensor g) {
    if (p.grad().defined()) {
      p.grad().zero_();
    }
    p.mul(g).sum().backward();
  }

  @Test
  void linearScheduleWarmsUpThenDecaysToZero() {
    LinearSchedule s = new LinearSchedule(1e-6, 2, 10);
    assertEquals(0.0, s.lr(0), 0);
    assertEquals(0.5e-6, s.lr(1), 1e-20);
    assertEquals(1e-6, s.lr(2), 1e-20);
    assertEquals(1e-6 * 4 / 8, s.lr(6), 1e-20);
    assertEquals(0.0, s.lr(10), 0);
    assertEquals(1e-6, new LinearSchedule(1e-6, 0, 10).lr(0), 0);
    assertEquals(3, LinearSchedule.warmupSteps(25, 0, 0.1));
    assertEquals(7, LinearSchedule.warmupSteps(25, 7, 0.1));
  }

  @Test
  void clippingScalesToMaxNormAndReportsNonFinite() {
    Tensor p = Tensor.create(new double[] {0, 0}, 2).clone().set_requires_grad(true);
    p.mul(Tensor.create(new double[] {3, 4}, 2)).sum().backward();
    assertEquals(5.0, GradientClipping.clip(List.of(p), 1.0), 1e-12);
    double[] g = Tensors.toDoubles(p.grad());
    assertEquals(3.0 / (5 + 1e-6), g[0], 1e-12);
    assertEquals(4.0 / (5 + 1e-6), g[1], 1e-12);
    assertEquals(1.0, GradientClipping.clip(List.of(p), 2.0), 1e-6); // below the limit: untouched
    p.grad().fill_(new Scalar(Double.NaN));
    assertTrue(Double.isNaN(GradientClipping.clip(List.of(p), 1.0)));
  }
}
