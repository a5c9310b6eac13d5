"""Labelled data files for the contributions tests (see spam_corpus.py)."""
