/**
 * The vision tower {@code visual} ({@link dev.virft.model.vision.VisionTransformer}; the families
 * {@link dev.virft.model.vision.Qwen2VisionTransformer} and {@link dev.virft.model.vision.Qwen25VisionTransformer})
 * and its modules as transformers names them: {@code PatchEmbed}, the vision blocks (norm, attention with
 * the 2-D rotary, MLP) and {@code PatchMerger}; attention within frames or windows runs from
 * {@link dev.virft.model.vision.AttentionPlan}s over a cached {@code VisionLayout}.
 */
package dev.virft.model.vision;
