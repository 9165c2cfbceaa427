# The systems app starts empty: causal loop diagrams and stock-and-flow models add their own
# migrations on top of this one.
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies: list = []
    operations: list = []
