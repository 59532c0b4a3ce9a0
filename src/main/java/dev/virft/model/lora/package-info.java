/**
 * PEFT LoRA on the language model's linear modules: {@link dev.virft.model.lora.LoraAdapters} creates
 * (PEFT's init), reads and writes (PEFT's layout and names) the adapters, attaches one
 * {@link dev.virft.model.nn.Linear.Adapter} per targeted module, and merges them into the base weights.
 */
package dev.virft.model.lora;
