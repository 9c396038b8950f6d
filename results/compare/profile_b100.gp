set terminal pngcairo size 900,600 noenhanced
set output 'profile_b100.png'
set xlabel "tau (median loss / the best method's)"
set ylabel "fraction of problems within tau"
set logscale x
set key outside right
set grid
set yrange [0:1]
plot 'profile_b100.dat' index 0 with lines lw 2 title 'gahpo-tuned', 'profile_b100.dat' index 1 with lines lw 2 title 'gahpo-candle', 'profile_b100.dat' index 2 with lines lw 2 title 'deap-candle', 'profile_b100.dat' index 3 with lines lw 2 title 'optuna-tpe', 'profile_b100.dat' index 4 with lines lw 2 title 'optuna-cmaes', 'profile_b100.dat' index 5 with lines lw 2 title 'random'
