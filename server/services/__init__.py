"""Services decide (permissions, validation, workflow); controllers only translate HTTP."""
