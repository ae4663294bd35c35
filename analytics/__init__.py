"""What people do with the recommendations, measured without knowing who they are: impressions and
tracked links, events sent by portals, and the figures analysts read (summary, comparisons,
experiments, funnel, usage, targets), with small counts suppressed."""
