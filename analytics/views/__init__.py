"""The analysts' pages: thin views over the aggregates, estimates and exports below them."""
