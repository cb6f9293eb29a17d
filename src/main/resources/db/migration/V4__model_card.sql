-- The model card of a training run, rendered by evaluate-model from the model's provenance, the candidate selection
-- and the held-out evaluation; served to the Medical QA reviewer at /api/v1/models/{id}/card.
ALTER TABLE training_run ADD COLUMN model_card_html TEXT;
ALTER TABLE training_run ADD COLUMN model_card_json JSONB;
