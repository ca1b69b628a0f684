"""One-to-one pairing of rows and columns for the highest total score."""

from __future__ import annotations

from collections.abc import Sequence


def best_assignment(score: Sequence[Sequence[float]]) -> list[tuple[int, int]]:
    """Row/column pairs maximising the total score (Hungarian algorithm, O(n^3))."""
    n = len(score)
    m = len(score[0]) if n else 0
    if n == 0 or m == 0:
        return []
    if n > m:
        flipped = [[score[i][j] for i in range(n)] for j in range(m)]
        return sorted((i, j) for j, i in best_assignment(flipped))
    inf = float("inf")
    u = [0.0] * (n + 1)
    v = [0.0] * (m + 1)
    owner = [0] * (m + 1)  # owner[j]: 1-based row assigned to column j
    way = [0] * (m + 1)
    for row in range(1, n + 1):
        owner[0] = row
        j0 = 0
        minv = [inf] * (m + 1)
        used = [False] * (m + 1)
        while True:
            used[j0] = True
            i0, delta, j1 = owner[j0], inf, 0
            for j in range(1, m + 1):
                if used[j]:
                    continue
                cur = -score[i0 - 1][j - 1] - u[i0] - v[j]
                if cur < minv[j]:
                    minv[j], way[j] = cur, j0
                if minv[j] < delta:
                    delta, j1 = minv[j], j
            for j in range(m + 1):
                if used[j]:
                    u[owner[j]] += delta
                    v[j] -= delta
                else:
                    minv[j] -= delta
            j0 = j1
            if owner[j0] == 0:
                break
        while j0:
            j1 = way[j0]
            owner[j0] = owner[j1]
            j0 = j1
    return sorted((owner[j] - 1, j - 1) for j in range(1, m + 1) if owner[j])
