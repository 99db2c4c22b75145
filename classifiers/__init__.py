"""classifiers: tokenizer, category model, risk rules and the scorer that joins them."""
