"""Shared test constants and helpers."""

DRAFT = list(range(10))  # blue: Rollo Vesna Sylvan Raja Brakka; red: Chiron Celsus Erno SoulsCollector Bristle
