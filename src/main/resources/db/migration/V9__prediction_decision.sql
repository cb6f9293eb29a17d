-- The prediction API may decline an automated decision when the input is too incomplete (the features sent carry
-- too little of the model's importance): such a prediction has no predicted class, and every prediction records
-- whether it was decided and how complete its input was.
ALTER TABLE prediction_log ALTER COLUMN predicted_class DROP NOT NULL;
ALTER TABLE prediction_log ADD COLUMN decision TEXT NOT NULL DEFAULT 'automated'
  CHECK (decision IN ('automated', 'insufficient-data'));
ALTER TABLE prediction_log ADD COLUMN input_completeness DOUBLE PRECISION;
