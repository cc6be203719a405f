"""Pure decisions: calendar, deadlines, timeline, ladders, plans, scores. Standard library only."""
