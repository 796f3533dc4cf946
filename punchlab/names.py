"""First and last names for made-up people: Postman's `{{$randomFirstName}}` and friends.

One list for every generator, so names look alike wherever the lab invents a person.

```python
import random
f"{random.choice(FIRST_NAMES)} {random.choice(LAST_NAMES)}"     # 'Grace Tanaka'
```
"""

from __future__ import annotations

__all__ = ["FIRST_NAMES", "LAST_NAMES"]

FIRST_NAMES: tuple[str, ...] = (
    "Ana",
    "Barbara",
    "Carlos",
    "Dana",
    "Elif",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Keira",
    "Luis",
    "Maya",
    "Nuno",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Sam",
    "Tariq",
)
LAST_NAMES: tuple[str, ...] = (
    "Banh",
    "Costa",
    "Dearing",
    "Evans",
    "Fischer",
    "Garcia",
    "Hull",
    "Ito",
    "Jensen",
    "Khan",
    "Lopes",
    "Moreau",
    "Novak",
    "Okafor",
    "Park",
    "Raines",
    "Silva",
    "Tanaka",
    "Ueda",
    "Weber",
)
