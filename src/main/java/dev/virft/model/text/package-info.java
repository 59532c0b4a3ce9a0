/**
 * The Qwen2 decoder of Qwen2-VL / Qwen2.5-VL, module for module as transformers names them:
 * {@link dev.virft.model.text.Qwen2Model} ({@code Qwen2VLTextModel}), {@link dev.virft.model.text.Qwen2DecoderLayer},
 * {@link dev.virft.model.text.Qwen2Attention}, {@link dev.virft.model.text.Qwen2MLP} and
 * {@link dev.virft.model.text.MultimodalRotaryEmbedding} (M-RoPE); {@link dev.virft.model.text.CausalMask}
 * is the additive causal + padding mask.
 */
package dev.virft.model.text;
