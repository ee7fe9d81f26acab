"""The import engine: a plan document in, dataclasses out. No Flask, no database."""

from tracker.plans.engine.errors import PlanFormatError
from tracker.plans.engine.parse import ParsedActivity, ParsedExecutor, ParsedPlan, parse_plan, parse_plan_file

__all__ = ["ParsedActivity", "ParsedExecutor", "ParsedPlan", "PlanFormatError", "parse_plan", "parse_plan_file"]
