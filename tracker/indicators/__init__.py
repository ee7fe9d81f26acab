"""Indicators: targets against actuals, as the plans state them (tracker.indicators.reading reads them)."""
