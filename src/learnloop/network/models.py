"""The network has no tables of its own: its edges are read from the apps that hold them
(learnloop.network.selectors), so deleting or anonymising there is enough."""
