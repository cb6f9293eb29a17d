-- The inputs of each prediction as the model read them: one float8 per model feature, in the model's feature order
-- (numbers as sent, binary 0/1, a categorical level's index, NaN where missing). The drift monitor reads these
-- instead of taking the JSON of `features` apart, which was most of its time over 100,000 predictions. `features`
-- stays the record of what was sent. Rows written before this column have it NULL and are read from `features`.
ALTER TABLE medpipe.prediction_log ADD COLUMN encoded float8[];

-- The explanation's SHAP values by model feature (the logged contributions in the model's feature order, 0 for a
-- feature the explanation did not list); NULL where the answer was not explained.
ALTER TABLE medpipe.prediction_log ADD COLUMN shap float8[];
