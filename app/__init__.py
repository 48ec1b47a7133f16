"""Valley's Qt application: draws what core computed."""
