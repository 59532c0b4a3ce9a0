/**
 * What the text and vision modules share: {@link dev.virft.model.nn.Qwen2RMSNorm}, the rotary helper
 * ({@link dev.virft.model.nn.RotaryEmbedding}), the linear layers ({@link dev.virft.model.nn.Linear},
 * {@link dev.virft.model.nn.FusedLinear}) over float32 masters seen in the compute dtype
 * ({@link dev.virft.model.nn.ComputeWeights}), and {@link dev.virft.model.nn.WeightBinder}, through which
 * every module binds its weights by hub name once, when the model is built.
 */
package dev.virft.model.nn;
