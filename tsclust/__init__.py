"""tsclust: clustering unlabelled time series with deep autoencoders."""

__version__ = "0.1.0"

__all__ = ["__version__"]
