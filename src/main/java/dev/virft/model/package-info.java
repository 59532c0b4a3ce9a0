/**
 * Qwen2-VL / Qwen2.5-VL as transformers' {@code modeling_qwen2_vl.py} / {@code modeling_qwen2_5_vl.py}
 * lay them out: {@link dev.virft.model.QwenVLModel} ({@code Qwen2VLForConditionalGeneration}: the LM
 * head, log-probs, generation, LoRA) over {@link dev.virft.model.Qwen2VLModel} ({@code Qwen2VLModel}:
 * {@code visual}, the image merge, {@code get_rope_index}, {@code language_model}); configs, loading
 * ({@link dev.virft.model.QwenVLLoader}), the KV cache and M-RoPE positions. The modules live in
 * {@code text} (decoder), {@code vision} (the {@code visual} tower), {@code nn} (what both share: RMSNorm,
 * rotary, linear layers, the binding of weights) and {@code lora} (PEFT adapters).
 */
package dev.virft.model;
