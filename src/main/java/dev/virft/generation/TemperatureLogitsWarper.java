package dev.virft.generation;

import org.bytedeco.pytorch.Scalar;

/** transformers' {@code TemperatureLogitsWarper}: scores / temperature. */
public final class TemperatureLogitsWarper implements LogitsWarper {
  private final double temperature;

  public TemperatureLogitsWarper(double temperature) {
    this.temperature = temperature;
  }

  @Override
  public Candidates warp(Candidates c) {
    return temperature == 1.0 ? c : new Candidates(c.scores().div(new Scalar(temperature)), c.ids());
  }
}
