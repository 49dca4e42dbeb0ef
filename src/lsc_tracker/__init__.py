"""lsc-tracker: track the Lancashire and South Cumbria ICS plan against its targets."""

__version__ = "0.1.0"
