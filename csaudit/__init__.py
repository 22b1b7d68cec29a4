"""csaudit: audit customer-service exports against service-quality standards."""

__version__ = "0.1.0"
