-- Daily summary of the loaded flights: one row per day and origin.
-- Run by `transform` in name order, as a BigQuery query job with the named parameters
-- @date_from and @date_to (DATE), in the warehouse dataset (the job's default dataset, WAREHOUSE_DATASET).
CREATE OR REPLACE TABLE daily_summary
PARTITION BY date AS
SELECT
  date,
  origin,
  COUNT(*) AS flights,
  AVG(delay) AS mean_delay_minutes,
  COUNTIF(delay > 15) AS delayed_flights
FROM flights
WHERE date BETWEEN @date_from AND @date_to
GROUP BY date, origin;
