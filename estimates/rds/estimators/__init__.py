"""Estimators beyond RDS-I/RDS-II/SS, numpy only: R's interval, HCG, SS-PSE population size.

``records`` is the exception: it puts one question's estimates together for the refresh
(the numbers of every estimator, the reasons stored beside them) and reads SS and HCG through
their Django-facing modules.
"""
