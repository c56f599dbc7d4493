"""The primitive ops: each an `autograd.Function` with its forward and VJP side by side."""
