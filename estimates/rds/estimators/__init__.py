"""Estimators beyond RDS-I/RDS-II/SS, numpy only: R's interval, HCG, SS-PSE population size."""
