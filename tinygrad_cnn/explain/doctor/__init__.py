"""The training doctor: `diagnose` runs the checks practitioners run by hand when a network
does not learn, on copies of the model and optimiser, and reports what it finds.

`findings` holds what a report is made of (`Finding`, `Diagnosis`, the stable `CODES`),
`thresholds` every number a check compares with and where it comes from, `trial` the working
copies (also behind `train.lr_find`), `recording` the measured first steps, and one module per
family of checks: `inputs`, `labels`, `outputs`, `first_loss`, `units`, `gradients`,
`progress`, `overfit`.
"""

from tinygrad_cnn.explain.doctor.diagnose import diagnose
from tinygrad_cnn.explain.doctor.findings import CODES, Diagnosis, Finding

__all__ = ["CODES", "Diagnosis", "Finding", "diagnose"]
